//! Query stop words: the lists Lucene's analyzers use, for the languages
//! where they help ranking (XQuAD-R, docs/RELEVANCE.md: ar, de, en, es,
//! ru; Lucene's Turkish list made Turkish worse). They are left out of
//! queries only, never out of the index, so quoted phrases keep matching.
//!
//! Sources: English is Lucene's `EnglishAnalyzer` default set; German,
//! Spanish and Russian are the Snowball stop lists (BSD licence,
//! snowballstem.org); Arabic is Jacques Savoy's list as Lucene ships it
//! (BSD licence). Words are compared folded (see [`super::fold`]), as query
//! terms are.

use rustc_hash::FxHashSet;
use std::sync::OnceLock;

const EN: &str = "a an and are as at be but by for if in into is it no not of on or such that \
the their then there these they this to was will with";

const AR: &str = "من ومن منها منه في وفي فيها فيه و ف ثم او أو ب بها به ا أ اى اي أي أى لا ولا \
الا ألا إلا لكن ما وما كما فما عن مع اذا إذا ان أن إن انها أنها إنها انه أنه إنه بان بأن فان فأن \
وان وأن وإن التى التي الذى الذي الذين الى الي إلى إلي على عليها عليه اما أما إما ايضا أيضا كل \
وكل لم ولم لن ولن هى هي هو وهى وهي وهو فهى فهي فهو انت أنت لك لها له هذه هذا تلك ذلك هناك كانت \
كان يكون تكون وكانت وكان غير بعض قد نحو بين بينما منذ ضمن حيث الان الآن خلال بعد قبل حتى عند \
عندما لدى جميع";

const DE: &str = "aber alle allem allen aller alles als also am an ander andere anderem anderen \
anderer anderes anderm andern anderr anders auch auf aus bei bin bis bist da damit dann der den \
des dem die das daß derselbe derselben denselben desselben demselben dieselbe dieselben dasselbe \
dazu dein deine deinem deinen deiner deines denn derer dessen dich dir du dies diese diesem \
diesen dieser dieses doch dort durch ein eine einem einen einer eines einig einige einigem \
einigen einiger einiges einmal er ihn ihm es etwas euer eure eurem euren eurer eures für gegen \
gewesen hab habe haben hat hatte hatten hier hin hinter ich mich mir ihr ihre ihrem ihren ihrer \
ihres euch im in indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt \
kann kein keine keinem keinen keiner keines können könnte machen man manche manchem manchen \
mancher manches mein meine meinem meinen meiner meines mit muss musste nach nicht nichts noch \
nun nur ob oder ohne sehr sein seine seinem seinen seiner seines selbst sich sie ihnen sind so \
solche solchem solchen solcher solches soll sollte sondern sonst über um und uns unse unsem \
unsen unser unses unter viel vom von vor während war waren warst was weg weil weiter welche \
welchem welchen welcher welches wenn werde werden wie wieder will wir wird wirst wo wollen \
wollte würde würden zu zum zur zwar zwischen";

const ES: &str = "de la que el en y a los del se las por un para con no una su al lo como más \
pero sus le ya o este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien \
desde todo nos durante todos uno les ni contra otros ese eso ante ellos e esto mí antes algunos \
qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual poco ella estar \
estas algunas algo nosotros mi mis tú te ti tu tus ellas nosotras vosotros vosotras os mío mía \
míos mías tuyo tuya tuyos tuyas suyo suya suyos suyas nuestro nuestra nuestros nuestras vuestro \
vuestra vuestros vuestras esos esas estoy estás está estamos estáis están esté estés estemos \
estéis estén estaré estarás estará estaremos estaréis estarán estaría estarías estaríamos \
estaríais estarían estaba estabas estábamos estabais estaban estuve estuviste estuvo estuvimos \
estuvisteis estuvieron estuviera estuvieras estuviéramos estuvierais estuvieran estuviese \
estuvieses estuviésemos estuvieseis estuviesen estando estad he has ha hemos habéis han haya \
hayas hayamos hayáis hayan habré habrás habrá habremos habréis habrán habría habrías habríamos \
habríais habrían había habías habíamos habíais habían hube hubiste hubo hubimos hubisteis \
hubieron hubiera hubieras hubiéramos hubierais hubieran hubiese hubieses hubiésemos hubieseis \
hubiesen habiendo habido habida habidos habidas soy eres es somos sois son sea seas seamos seáis \
sean seré serás será seremos seréis serán sería serías seríamos seríais serían era eras éramos \
erais eran fui fuiste fue fuimos fuisteis fueron fuera fueras fuéramos fuerais fueran fuese \
fueses fuésemos fueseis fuesen siendo sido tengo tienes tiene tenemos tenéis tienen tenga tengas \
tengamos tengáis tengan tendré tendrás tendrá tendremos tendréis tendrán tendría tendrías \
tendríamos tendríais tendrían tenía tenías teníamos teníais tenían tuve tuviste tuvo tuvimos \
tuvisteis tuvieron tuviera tuvieras tuviéramos tuvierais tuvieran tuviese tuvieses tuviésemos \
tuvieseis tuviesen teniendo tenido tenida tenidos tenidas tened";

const RU: &str = "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы \
по только ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни \
быть был него до вас нибудь опять уж вам сказал ведь там потом себя ничего ей может они тут где \
есть надо ней для мы тебя их чем была сам чтоб без будто человек чего раз тоже себе под жизнь \
будет ж тогда кто этот говорил того потому этого какой совсем ним здесь этом один почти мой тем \
чтобы нее кажется сейчас были куда зачем сказать всех никогда сегодня можно при наконец два об \
другой хоть после над больше тот через эти нас про всего них какая много разве сказала три эту \
моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно \
всю между";

/// The stop list of a language, if it has one.
fn list(lang: &str) -> Option<&'static str> {
    Some(match lang {
        "ar" => AR,
        "de" => DE,
        "en" => EN,
        "es" => ES,
        "ru" => RU,
        _ => return None,
    })
}

type Sets = Vec<(&'static str, FxHashSet<String>)>;

fn sets() -> &'static Sets {
    static SETS: OnceLock<Sets> = OnceLock::new();
    SETS.get_or_init(|| {
        ["ar", "de", "en", "es", "ru"]
            .into_iter()
            .map(|lang| {
                let words = list(lang)
                    .unwrap_or("")
                    .split_whitespace()
                    .map(super::fold::fold)
                    .collect();
                (lang, words)
            })
            .collect()
    })
}

/// Is `folded` (a folded word) a stop word in `lang`?
pub fn is_stop_word(lang: &str, folded: &str) -> bool {
    sets()
        .iter()
        .find(|(l, _)| *l == lang)
        .is_some_and(|(_, words)| words.contains(folded))
}

/// Does `lang` have a stop list?
pub fn has_stop_words(lang: &str) -> bool {
    list(lang).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_compared_folded() {
        assert!(is_stop_word("de", "uber"));
        assert!(is_stop_word("ar", "الى"));
        assert!(is_stop_word("ru", "еще"));
        assert!(!is_stop_word("tr", "icin"));
        assert!(is_stop_word("en", "the"));
        assert!(!is_stop_word("en", "die"));
        assert!(!is_stop_word("vi", "the"));
        assert!(has_stop_words("ru") && !has_stop_words("vi"));
    }
}
