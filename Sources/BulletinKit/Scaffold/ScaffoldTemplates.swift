import Foundation

/// The text of the files `bulletin new` and `bulletin init` create: front-matter with
/// every key of the content contract, explained in French comments for the editors.
enum ScaffoldTemplates {
    /// A YAML double-quoted scalar.
    static func quoted(_ text: String) -> String { doubleQuoted(text) }

    // MARK: bulletin new issue

    static func issue(title: String, number: Int, date: SimpleDate) -> String {
        """
        ---
        # Numéro créé par `bulletin new issue`. Les lignes qui commencent par « # »
        # sont des commentaires : pour utiliser une clé, retirez le « # » et l'espace
        # qui le suit, en gardant l'indentation des lignes en dessous.

        # Titre du numéro (obligatoire).
        title: \(quoted(title))
        # Numéro (obligatoire) : un entier positif, unique sur tout le site.
        number: \(number)
        # Date de parution (obligatoire), AAAA-MM-JJ. Un numéro daté d'un jour à
        # venir n'est publié qu'à partir de ce jour-là.
        date: \(date)
        # Brouillon : tant que draft vaut true, le numéro n'est pas publié
        # (`bulletin build --drafts` le montre pour le relire). Mettez false pour publier.
        draft: true

        # Résumé (facultatif) : page d'accueil, flux RSS, aperçu de l'e-mail.
        # Sans résumé, le premier paragraphe de l'édito est utilisé.
        # summary: "Une phrase qui donne envie de lire ce numéro."

        # Image de couverture (facultative), chemin relatif à ce fichier. Quand
        # elle est donnée, cover_alt (sa description, pour qui ne la voit pas) est obligatoire.
        # cover: images/couverture.jpg
        # cover_alt: "Décrivez l'image en une phrase"

        # Signature de l'édito (facultative). Le texte de l'édito s'écrit sous
        # la ligne --- qui ferme cet en-tête.
        # edito:
        #   title: "Titre de l'édito"
        #   author: "Prénom Nom"
        #   role: "Président de …"
        #   photo: images/portrait.jpg

        # « En vidéo » (facultatif) : liens YouTube, Vimeo ou Dailymotion, ou fichier
        # .mp4/.webm de ce numéro. Rien n'est chargé chez l'hébergeur avant le clic du lecteur.
        # videos:
        #   - title: "Titre de la vidéo"
        #     url: "https://www.youtube.com/watch?v=XXXXXXXXXXX"
        #     poster: images/video.jpg   # image d'aperçu, facultative
        #     link_text: "Découvrir"     # texte du lien, facultatif

        # « Chiffres-clés » (facultatif) : une valeur, ce qu'elle compte, sa source.
        # figures:
        #   - value: "+ 4 100"
        #     label: "emplois créés en deux ans"
        #     source: "Source du chiffre"

        # Agenda (facultatif) : date AAAA-MM-JJ et titre obligatoires.
        # agenda:
        #   - date: \(date)
        #     time: "14h – 17h"
        #     title: "Intitulé de l'événement"
        #     place: "Lieu, commune"
        ---
        Écrivez ici l'édito, en Markdown. Son premier paragraphe sert de résumé
        quand `summary` est absent.

        Les articles s'ajoutent avec `bulletin new article`, les brèves avec
        `bulletin new brief`.

        """
    }

    // MARK: bulletin new article / brief

    static func item(_ kind: Scaffold.ItemKind, title: String) -> String {
        let header: String
        let body: String
        switch kind {
        case .article:
            header = """
                # Article créé par `bulletin new article`. Les lignes qui commencent par
                # « # » sont des commentaires : pour utiliser une clé, retirez le « # ».
                # Les articles d'un numéro suivent l'ordre des numéros de fichier (01-, 02-…).
                """
            body = """
                Chapeau de l'article : ce premier paragraphe est l'accroche montrée sur la
                page du numéro, suivie du lien « En savoir plus ».

                <!--more-->

                La suite de l'article, en Markdown : **gras**, *italique*, [liens](https://example.fr),
                listes, tableaux, images (`![description](../images/photo.jpg)`).

                """
        case .brief:
            header = """
                # Brève « En bref » créée par `bulletin new brief`. Une brève est montrée en
                # entier sur la page du numéro (elle n'a pas de page à elle) : restez court.
                # Les lignes qui commencent par « # » sont des commentaires : pour utiliser
                # une clé, retirez le « # ».
                """
            body = """
                Le texte de la brève, en quelques lignes de Markdown.

                """
        }
        let linkComment =
            kind == .article
            ? "# Lien (facultatif) : « En savoir plus » mène ici plutôt qu'à la page de l'article."
            : "# Lien (facultatif) : montré sous la brève, « En savoir plus »."
        let slugComment =
            kind == .article
            ? "# Adresse de la page (facultative) ; par défaut, le nom du fichier sans son numéro.\n# slug: mon-article"
            : "# Ancre de la brève sur la page du numéro (facultative) ; par défaut, le nom\n# du fichier sans son numéro.\n# slug: ma-breve"
        return """
            ---
            \(header)

            # Titre (obligatoire).
            title: \(quoted(title))

            # Chapeau (facultatif). Sans lui : le texte avant <!--more-->, sinon le
            # premier paragraphe.
            # summary: "Une ou deux phrases d'accroche."

            # Image (facultative), chemin relatif à ce fichier : les images du numéro
            # sont dans ../images/. image_alt (sa description) est alors obligatoire.
            # image: ../images/photo.jpg
            # image_alt: "Décrivez l'image en une phrase"
            # credit: "Crédit photo : Prénom Nom"

            # Rubrique (facultative) : la page du numéro regroupe les articles par rubrique.
            # section: "Le dossier"
            # tags: [emploi, environnement]
            # author: "Prénom Nom"
            # Adresse e-mail d'un contact pour en savoir plus (facultative).
            # contact: "prenom.nom@example.fr"
            \(linkComment)
            # link: "https://example.fr/page"
            # Ordre (facultatif) : remplace le numéro du nom de fichier (order: 3 se
            # place comme 03-…).
            # order: 3
            \(slugComment)
            ---
            \(body)
            """
    }

    // MARK: bulletin init

    static let gitignore = """
        # Ce que `bulletin build` écrit : régénéré à chaque construction, jamais modifié à la main.
        /output/
        # Ce que `bulletin build` garde pour aller plus vite la fois suivante (peut être supprimé).
        /.bulletin-cache/

        """

    static let logoSVG = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">
          <title>Logo de la lettre</title>
          <rect width="64" height="64" rx="14" fill="#0f4c81"/>
          <rect x="12" y="18" width="40" height="28" rx="3" fill="#ffffff"/>
          <path d="M13 20 L32 34 L51 20" fill="none" stroke="#d9a21b" stroke-width="4" stroke-linejoin="round"/>
        </svg>

        """

    static let siteYML = """
        # site.yml — la configuration de la lettre, lue par `bulletin build`.
        # Les lignes qui commencent par « # » sont des commentaires. Remplacez les
        # valeurs d'exemple par les vôtres ; les clés facultatives peuvent être
        # supprimées. Une clé mal orthographiée (base_ulr…) donne un avertissement.

        # Nom de la lettre (obligatoire) : titres des pages, flux RSS, objet de l'e-mail.
        title: "Ma lettre d'information"

        # Adresse web où le dossier output/ sera publié (obligatoire), terminée par /.
        # Elle sert aux liens absolus : flux RSS, plan du site, réseaux sociaux, e-mail.
        # `bulletin build --base-url …` la remplace le temps d'une construction.
        base_url: "https://example.fr/"

        # Langue du site (obligatoire) : fr ou en. Elle choisit les libellés, le format
        # des dates (« 5 juillet 2023 ») et les règles de typographie.
        language: fr

        # Une phrase de présentation (facultative) : page d'accueil, flux, réseaux sociaux.
        description: "La lettre d'information de notre organisation : actualités, projets et rendez-vous."

        # Thème (facultatif) : nom d'un dossier de themes/. Par défaut, le thème
        # intégré à Bulletin (`bulletin init --with-theme` en copie les fichiers dans
        # themes/default/ pour les modifier).
        # theme: default

        # Organisation qui publie la lettre (facultatif), en pied de page.
        publisher: "Nom de l'organisation"

        # Adresse e-mail de contact (facultative), en pied de page.
        contact: "contact@example.fr"

        # Logo (facultatif) : chemin d'un fichier du dossier static/.
        logo: logo.svg

        # « Suivez-nous » (facultatif) : une liste de réseaux, nom et adresse.
        # social:
        #   - name: LinkedIn
        #     url: "https://www.linkedin.com/company/votre-organisation"
        #   - name: YouTube
        #     url: "https://www.youtube.com/@votre-organisation"

        # Ours de la publication (facultatif) : une liste de rôles et de noms,
        # montrés dans cet ordre.
        masthead:
          - role: "Directeur de la publication"
            name: "Prénom Nom"
          - role: "Comité de rédaction"
            name: "Prénom Nom, Prénom Nom"

        # Adresse postale (facultative), en pied de page, en Markdown. Une barre
        # oblique inverse en fin de ligne force le retour à la ligne.
        address: |
          **Nom de l'organisation**\\
          1 rue de l'Exemple\\
          75000 Paris

        # Lien de désinscription de l'édition e-mail (facultatif) : une adresse web
        # ou un mailto:. Une balise de votre outil d'envoi (*|UNSUB|*) est gardée telle quelle.
        unsubscribe: "mailto:lettre@example.fr?subject=D%C3%A9sinscription"

        # Expéditeur de l'e-mail de chaque numéro (email.eml), « Nom <adresse> » (facultatif).
        email_from: "Ma lettre d'information <lettre@example.fr>"

        # Fuseau horaire (facultatif, Europe/Paris par défaut) : il fixe le jour où
        # un numéro daté paraît et l'heure des dates du flux RSS.
        timezone: Europe/Paris

        # Flux (facultatif) : combien de numéros ils contiennent, et lesquels écrire
        # (RSS feed.xml, Atom atom.xml, JSON Feed feed.json ; les trois par défaut).
        feed:
          items: 20
          formats: [rss, atom, json]

        # Markdown (facultatif). Par défaut, le HTML écrit dans les textes est filtré :
        # seules les balises de typographie comme <sup> sont gardées. N'activez
        # unsafe_html que pour une équipe de confiance.
        markdown:
          unsafe_html: false

        # Édition e-mail (facultatif) : taille au-delà de laquelle la construction
        # avertit (Gmail tronque les messages de plus de 102 Ko).
        # email:
        #   size_budget_kb: 90

        # Couleurs et polices (facultatif) : elles remplacent celles du thème, dans les
        # pages comme dans l'e-mail. Une seule ligne suffit pour changer l'accent ;
        # une couleur trop peu contrastée pour être lue donne un avertissement.
        # colors:
        #   accent: "#0f4c81"      # liens, bandeau, boutons
        #   ink: "#1a1d21"         # texte
        #   muted: "#4f5862"       # dates, sources
        #   background: "#ffffff"  # fond
        #   surface: "#f2f5f9"     # encadrés
        #   rule: "#d3dae3"        # filets
        #   warm: "#d9a21b"        # filets décoratifs
        # fonts:
        #   body: "Marianne, Arial, sans-serif"
        #   headings: "Spectral, Georgia, serif"

        """

    static func sampleIssue(date: SimpleDate) -> String {
        let event = date.adding(days: 14)
        return """
            ---
            # Un numéro d'exemple, créé par `bulletin init` : modifiez-le ou supprimez ce
            # dossier, puis créez les vôtres avec `bulletin new issue "Titre"`.
            # Les lignes qui commencent par « # » sont des commentaires.

            # Titre (obligatoire).
            title: "Premier numéro"
            # Numéro (obligatoire) : un entier positif, unique sur tout le site.
            number: 1
            # Date de parution (obligatoire), AAAA-MM-JJ. Un numéro daté d'un jour à
            # venir n'est publié qu'à partir de ce jour-là.
            date: \(date)
            # Brouillon (facultatif) : true pour ne pas publier le numéro.
            draft: false
            # Résumé (facultatif) : page d'accueil, flux RSS, aperçu de l'e-mail.
            # Sans résumé, le premier paragraphe de l'édito est utilisé.
            summary: "Le premier numéro de notre lettre : comment elle est faite et comment l'écrire."

            # Image de couverture (facultative), chemin relatif à ce fichier, et sa description.
            # cover: images/couverture.jpg
            # cover_alt: "Décrivez l'image en une phrase"

            # Signature de l'édito (facultative) ; son texte est sous la ligne --- plus bas.
            edito:
              title: "Bienvenue"
              author: "Prénom Nom"
              role: "Directeur de la publication"
              # photo: images/portrait.jpg

            # « En vidéo » (facultatif) : YouTube, Vimeo, Dailymotion ou fichier .mp4/.webm.
            # videos:
            #   - title: "Titre de la vidéo"
            #     url: "https://www.youtube.com/watch?v=XXXXXXXXXXX"
            #     poster: images/video.jpg
            #     link_text: "Découvrir"

            # « Chiffres-clés » (facultatif).
            figures:
              - value: "1"
                label: "dossier par numéro, écrit en Markdown"
                source: "Bulletin"
              - value: "0"
                label: "base de données à installer"

            # Agenda (facultatif).
            agenda:
              - date: \(event)
                time: "14h – 16h"
                title: "Comité de rédaction du prochain numéro"
                place: "Salle de réunion"
            ---
            Bienvenue dans ce premier numéro. Ce texte est l'édito : il s'écrit en Markdown,
            sous l'en-tête du fichier `issue.md` de chaque numéro.

            Chaque numéro est un dossier de `issues/`. Ses articles sont dans `articles/`,
            ses brèves dans `en-bref/`, ses images où vous voulez dans le dossier du numéro.

            Bonne lecture !

            """
    }

    static let sampleArticle = """
        ---
        # Un article d'exemple. Les clés facultatives sont en commentaire : retirez le
        # « # » pour vous en servir.

        # Titre (obligatoire).
        title: "Comment écrire un article"
        # Chapeau (facultatif). Sans lui : le texte avant <!--more-->, sinon le premier paragraphe.
        # summary: "Une ou deux phrases d'accroche."
        # Image (facultative), chemin relatif à ce fichier, sa description et son crédit.
        # image: ../images/photo.jpg
        # image_alt: "Décrivez l'image en une phrase"
        # credit: "Crédit photo : Prénom Nom"
        # Rubrique (facultative) : la page du numéro regroupe les articles par rubrique.
        section: "Mode d'emploi"
        tags: [exemple]
        author: "Prénom Nom"
        # Adresse e-mail d'un contact (facultative).
        # contact: "prenom.nom@example.fr"
        # Lien (facultatif) : « En savoir plus » mène ici plutôt qu'à la page de l'article.
        # link: "https://example.fr/page"
        # Ordre (facultatif) : remplace le numéro du nom de fichier.
        # order: 1
        # Adresse de la page (facultative) ; par défaut, le nom du fichier sans son numéro.
        # slug: comment-ecrire
        ---
        Un article est un fichier Markdown du dossier `articles/` du numéro. Ce premier
        paragraphe est son accroche sur la page du numéro.

        <!--more-->

        ## La suite de l'article

        Après la ligne `<!--more-->` vient la suite, montrée sur la page de l'article.
        Le Markdown permet le **gras**, l'*italique*, les [liens](https://commonmark.org/help/),
        les listes :

        - un point ;
        - un autre point.

        Pour ajouter un article à ce numéro, tapez `bulletin new article 1 "Titre"`.

        """

    static let sampleBrief = """
        ---
        # Une brève d'exemple : elle est montrée en entier dans la rubrique « En bref »
        # de la page du numéro et n'a pas de page à elle. Mêmes clés qu'un article.

        # Titre (obligatoire).
        title: "Publier un nouveau numéro"
        # Lien (facultatif), montré sous la brève.
        link: "https://example.fr/"
        ---
        `bulletin new issue "Titre"` crée le dossier d'un nouveau numéro, en brouillon.
        Relisez-le avec `bulletin build --drafts`, puis passez `draft` à `false`.

        """
}

fileprivate extension SimpleDate {
    /// The day `days` days later (or earlier).
    func adding(days: Int) -> SimpleDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(from: DateComponents(year: year, month: month, day: day))!
        let parts = calendar.dateComponents([.year, .month, .day], from: calendar.date(byAdding: .day, value: days, to: start)!)
        return SimpleDate(year: parts.year!, month: parts.month!, day: parts.day!) ?? self
    }
}
